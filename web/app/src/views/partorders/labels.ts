// Labels of a part order's and its lines' states (the partOrders block of the messages).
import type { PartOrder, PartOrderLine } from '@/api/models'

export type PartOrderStatus = PartOrder['status']
export type PartOrderLineStatus = PartOrderLine['status']

export const PART_ORDER_STATUSES: PartOrderStatus[] = ['ordered', 'waiting', 'ready', 'picked_up', 'cancelled']

/** The tag colour of an order's state. */
export function statusType(s: string): 'success' | 'warning' | 'info' | 'primary' | 'danger' {
  switch (s) {
    case 'ready':
      return 'success'
    case 'waiting':
      return 'warning'
    case 'cancelled':
      return 'info'
    case 'picked_up':
      return 'info'
  }
  return 'primary'
}
