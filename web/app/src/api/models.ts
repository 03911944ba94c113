// Names for the API's schemas, so views say Order rather than components['schemas']['Order'].
import type { components } from './schema'

type Schemas = components['schemas']

export type Me = Schemas['MeBody']
export type Membership = Schemas['MembershipView']
export type Tenant = Schemas['Tenant']
export type Outlet = Schemas['Outlet']
export type OutletFields = Schemas['OutletFields']
export type Calendar = Schemas['Calendar']
export type CalendarDay = Schemas['CalendarDay']
export type WeeklyHours = Schemas['WeeklyHours']
export type Interval = Schemas['Interval']
export type Member = Schemas['Member']
export type Invitation = Schemas['Invitation']
export type ApiKey = Schemas['APIKey']
export type Customer = Schemas['Customer']
export type CustomerFields = Schemas['Fields']
export type Order = Schemas['Order']
export type OrderType = Schemas['Type']
export type Intake = Schemas['Intake']
export type TimelineEntry = Schemas['Entry']
export type SlaClock = Schemas['Clock']
export type AttainmentRow = Schemas['AttainmentRow']
export type AuditEntry = Schemas['AuditEntry']

/** Roles a membership, invitation or API key can have in a tenant. */
export type TenantRole = Schemas['InviteInBody']['role']

export type OutletKind = NonNullable<Outlet['kind']>
export type OutletStatus = NonNullable<Outlet['status']>
export type TenantKind = Tenant['kind']
export type DayKind = CalendarDay['kind']
export type Channel = Intake['channel']
export type EntitlementResult = Schemas['Result']
export type EntitlementReason = Schemas['Reason']
export type Registration = Schemas['Registration']
export type OutletCandidate = Schemas['OutletCandidate']
export type EngineerCandidate = Schemas['EngineerCandidate']
export type OrderEngineer = Schemas['OrderEngineer']
export type Quote = Schemas['Quote']
export type Appointment = Schemas['Appointment']
export type Tier = Schemas['Tier']
export type Policy = Schemas['Policy']
export type PolicyRules = Schemas['Rules']
export type Category = Schemas['Category']
