import type { TenantRole } from '@/api/models'

export const TENANT_ROLES: TenantRole[] = ['tenant_admin', 'agent', 'outlet_manager', 'engineer', 'finance', 'auditor']
/** Roles that work for one outlet: they need an outlet, the others must not have one. */
export const OUTLET_ROLES: TenantRole[] = ['outlet_manager', 'engineer']

/** The role and, for outlet roles, the outlet, as the API takes them. */
export function roleBody(role: TenantRole, outletId: string): { role: TenantRole; outlet_id?: string } {
  return OUTLET_ROLES.includes(role) && outletId ? { role, outlet_id: outletId } : { role }
}
