import type { Outlet, OutletFields, OutletKind, OutletStatus } from '@/api/models'

/** The outlet form's values: the request body, with empty coordinates as null. */
export interface OutletModel {
  code: string
  name: string
  kind: OutletKind
  status: OutletStatus
  phone: string
  province_code: string
  city_code: string
  district_code: string
  postal_code: string
  address: string
  latitude: number | undefined
  longitude: number | undefined
}

export function outletModel(o?: Outlet): OutletModel {
  return {
    code: o?.code ?? '',
    name: o?.name ?? '',
    kind: o?.kind ?? 'service_center',
    status: o?.status ?? 'active',
    phone: o?.phone ?? '',
    province_code: o?.province_code ?? '',
    city_code: o?.city_code ?? '',
    district_code: o?.district_code ?? '',
    postal_code: o?.postal_code ?? '',
    address: o?.address ?? '',
    latitude: o?.latitude ?? undefined,
    longitude: o?.longitude ?? undefined,
  }
}

export function outletBody(m: OutletModel): OutletFields {
  const { latitude, longitude, ...rest } = m
  const body: OutletFields = { ...rest, code: m.code.trim(), name: m.name.trim() }
  // A cleared number input gives null: leave the coordinate out.
  if (latitude != null) body.latitude = latitude
  if (longitude != null) body.longitude = longitude
  return body
}
