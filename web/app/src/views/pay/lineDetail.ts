// The explanation of a pay line. The server writes it in English, as its record of how the
// amount was reached ("¥120.00 at 10%"); a Chinese screen shows what caused the line in its
// own words instead, with the server's record kept in the cell's tooltip.
import type { components } from '@/api/schema'
import { currentLocale, i18n } from '@/i18n'

type Line = Pick<components['schemas']['PayLine'], 'cause' | 'detail' | 'reverses'>

export function payLineDetail(line: Line): string {
  if (currentLocale() === 'en') return line.detail
  const t = i18n.global.t
  const cause = t(`pay.causes.${line.cause}`)
  return line.reverses ? `${cause}（${t('pay.reversal')}）` : cause
}
