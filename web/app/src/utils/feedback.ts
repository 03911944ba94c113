// Toasts and confirmations (Element Plus services, imported with their styles here so the
// views need not know about it).
import { ElMessage, ElMessageBox } from 'element-plus'
import 'element-plus/es/components/message/style/css'
import 'element-plus/es/components/message-box/style/css'

import { i18n } from '@/i18n'

export function toastSuccess(message: string): void {
  ElMessage({ type: 'success', message, grouping: true })
}

export function toastError(message: string): void {
  ElMessage({ type: 'error', message, grouping: true })
}

/** Asks before a destructive action; resolves to true when confirmed. */
export async function confirmDanger(title: string, message: string, confirmText: string): Promise<boolean> {
  const { t } = i18n.global
  try {
    await ElMessageBox.confirm(message, title, {
      type: 'warning',
      confirmButtonText: confirmText,
      cancelButtonText: t('common.cancel'),
      confirmButtonClass: 'el-button--danger',
      autofocus: false,
    })
    return true
  } catch {
    return false
  }
}
