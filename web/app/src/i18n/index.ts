// vue-i18n with zh-CN and en: the language follows the user's choice, else the browser.
// Element Plus and dayjs switch with it (App.vue passes the Element Plus locale).
import dayjs from 'dayjs'
import 'dayjs/locale/zh-cn'
import { createI18n } from 'vue-i18n'

import { ENUM_ORDER } from './enumOrder'
import en, { type Messages } from './locales/en'
import zhCN from './locales/zh-CN'

export const LOCALES = ['zh-CN', 'en'] as const
export type Locale = (typeof LOCALES)[number]

const STORAGE_KEY = 'aftersales.lang'

/** The language to start in: the stored choice, else the first Chinese or English browser language. */
export function detectLocale(stored: string | null, languages: readonly string[]): Locale {
  if (stored === 'en' || stored === 'zh-CN') return stored
  for (const l of languages) {
    const tag = l.toLowerCase()
    if (tag.startsWith('zh')) return 'zh-CN'
    if (tag.startsWith('en')) return 'en'
  }
  return 'zh-CN'
}

export const messages: Record<Locale, Messages> = { en, 'zh-CN': zhCN }

const initial = detectLocale(
  typeof localStorage === 'undefined' ? null : localStorage.getItem(STORAGE_KEY),
  typeof navigator === 'undefined' ? [] : navigator.languages,
)

export const i18n = createI18n<[Messages], Locale, false>({
  legacy: false,
  locale: initial,
  fallbackLocale: 'en',
  messages,
  missingWarn: import.meta.env.DEV,
  fallbackWarn: false,
})

function apply(locale: Locale): void {
  dayjs.locale(locale === 'zh-CN' ? 'zh-cn' : 'en')
  if (typeof document !== 'undefined') document.documentElement.lang = locale
}
apply(initial)

/** Switches the language of the whole app and remembers the choice. */
export function setLocale(locale: Locale): void {
  i18n.global.locale.value = locale
  localStorage.setItem(STORAGE_KEY, locale)
  apply(locale)
}

export const currentLocale = (): Locale => i18n.global.locale.value

/** A group of value labels (enums.x), e.g. 'orderStatus'. */
export type LabelGroup = keyof Messages['enums']

/**
 * The label of an API value (a status, role, kind...) in the current language. A value the
 * messages do not know (a tenant's own order type, a status added to the API later) shows as
 * it is rather than as a message key.
 */
export function enumLabel(group: LabelGroup, value: string | null | undefined): string {
  if (value === null || value === undefined || value === '') return ''
  const labels = messages[i18n.global.locale.value].enums[group] as Record<string, string>
  return labels[value] ?? value
}

/**
 * The values a group knows, in their declared order (for selects and filters): the messages'
 * order, or the group's list in ENUM_ORDER when a value is integer-like (JavaScript puts such
 * keys first, so '12315' would lead every other channel).
 */
export function enumValues(group: LabelGroup): string[] {
  return [...(ENUM_ORDER[group] ?? Object.keys(messages.en.enums[group]))]
}
