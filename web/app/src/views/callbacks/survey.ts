// Words of a survey: a question as the tenant wrote it, in English when it has an English text.
import type { SurveyQuestion } from '@/api/models'

export function questionLabel(q: SurveyQuestion, locale: string): string {
  return locale === 'en' && q.label_en ? q.label_en : q.label
}

/** The scale dimensions the shipped template asks about (callbacks.Dimensions). */
export const DIMENSIONS = ['attitude', 'speed', 'quality', 'price', 'professionalism'] as const
