import type { RouteMeta } from 'vue-router'

import type { Permission } from '@/api/permissions'

/** What the guard and the menu need to know about the session. */
export interface Access {
  platformAdmin: boolean
  can(perm: Permission): boolean
}

/** Whether a route's meta lets this session in. */
export function allowed(meta: RouteMeta, access: Access): boolean {
  if (meta.platform) return access.platformAdmin
  if (meta.perm === undefined) return true
  const perms = Array.isArray(meta.perm) ? meta.perm : [meta.perm]
  return perms.some((p) => access.can(p))
}
