// The side menu: the routes that declare meta.menu and that the session may open, by group.
import type { Component } from 'vue'
import type { RouteRecordRaw } from 'vue-router'

import { type Access, allowed } from './access'
import { MENU_GROUPS, type MenuGroup } from './meta'

export interface MenuItem {
  path: string
  title: string
  icon: Component
}

export interface MenuSection {
  group: MenuGroup
  items: MenuItem[]
}

export function buildMenu(routes: readonly RouteRecordRaw[], access: Access): MenuSection[] {
  const sections = new Map<MenuGroup, { order: number; item: MenuItem }[]>()
  for (const r of routes) {
    const m = r.meta?.menu
    if (!m || !r.meta || !allowed(r.meta, access)) continue
    const list = sections.get(m.group) ?? []
    list.push({ order: m.order, item: { path: r.path, title: r.meta.title ?? '', icon: m.icon } })
    sections.set(m.group, list)
  }
  return MENU_GROUPS.filter((g) => sections.has(g)).map((group) => ({
    group,
    items: sections
      .get(group)!
      .sort((a, b) => a.order - b.order)
      .map((x) => x.item),
  }))
}
