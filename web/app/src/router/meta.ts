// What a route declares about itself; the guard (index.ts) and the menu (menu.ts) read it.
// A new screen is a route in one of modules/: its meta puts it in the menu and under its
// permission, nothing else needs to change.
import type { Component } from 'vue'
import 'vue-router'

import type { Permission } from '@/api/permissions'

/** The side menu's groups, in their order. */
export const MENU_GROUPS = ['service', 'voice', 'stock', 'network', 'people', 'finance', 'admin', 'platform'] as const
export type MenuGroup = (typeof MENU_GROUPS)[number]

declare module 'vue-router' {
  interface RouteMeta {
    /** i18n key of the page title (document title, menu entry). */
    title?: string
    /** Needed in the tenant: any one of them opens the page. */
    perm?: Permission | Permission[]
    /** Platform administration: platform admins only, working without a tenant. */
    platform?: boolean
    /** Reachable without signing in (sign-in, accepting an invitation). */
    public?: boolean
    /** Full-screen page outside the app layout (sign-in, tenant picker). */
    bare?: boolean
    /** An entry of the side menu. */
    menu?: { group: MenuGroup; icon: Component; order: number }
    /** The menu entry to highlight on pages below it (a detail page highlights its list). */
    activeMenu?: string
  }
}
