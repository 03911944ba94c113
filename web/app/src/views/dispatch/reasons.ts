// Dispatch's reasons (internal/dispatch writes them in English) in the user's language: the
// known sentences are matched and translated with their numbers; an unknown one is shown as
// written in English, and as a generic "other reason" in Chinese (the original stays in the
// tooltip).
import { currentLocale, i18n } from '@/i18n'

const patterns: [RegExp, string, string[]][] = [
  [/^covers region (\S+)$/, 'dispatch.why.region', ['code']],
  [/^covers postal codes (\S+)$/, 'dispatch.why.postal', ['prefix']],
  [/^product category unknown: authorization not checked$/, 'dispatch.why.categoryUnknown', []],
  [/^authorized for the category$/, 'dispatch.why.authorized', []],
  [/^not authorized by the brand for the category$/, 'dispatch.why.notAuthorized', []],
  [/^full today \((\d+) of (\d+)\)$/, 'dispatch.why.full', ['load', 'capacity']],
  [/^capacity left today \((\d+) of (\d+) taken\)$/, 'dispatch.why.capacityLeft', ['load', 'capacity']],
  [/^declined this order$/, 'dispatch.why.declined', []],
  [/^lacks the skill (.+)$/, 'dispatch.why.lacksSkill', ['skill']],
  [/^certification level (\d+) below (\d+)$/, 'dispatch.why.level', ['level', 'min']],
  [/^has (\d+) open orders \(limit (\d+)\)$/, 'dispatch.why.tooMany', ['open', 'limit']],
  [/^designated for this order$/, 'dispatch.why.designated', []],
  [/^the outlet's default engineer$/, 'dispatch.why.outletDefault', []],
  [/^served this customer most$/, 'dispatch.why.mostServed', []],
  [/^served this customer last$/, 'dispatch.why.mostRecent', []],
  [/^nearest by last known position$/, 'dispatch.why.nearest', []],
  [/^eligible, (\d+) open orders$/, 'dispatch.why.leastLoaded', ['open']],
  [/^serves the order's area$/, 'dispatch.why.servesArea', []],
]

/** One reason in the user's language. */
export function dispatchReason(s: string): string {
  const { t } = i18n.global
  for (const [re, key, names] of patterns) {
    const m = re.exec(s)
    if (!m) continue
    const params: Record<string, string> = {}
    names.forEach((n, i) => (params[n] = m[i + 1] ?? ''))
    return t(key, params)
  }
  return currentLocale() === 'en' ? s : t('dispatch.why.other')
}
