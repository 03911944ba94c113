import type { Messages } from '@/i18n/locales/en'

/**
 * A permission of the API (internal/access). The list lives with its labels in the messages
 * (enums.permission), and src/i18n/messages.test.ts holds it to the API's.
 */
export type Permission = keyof Messages['enums']['permission']
