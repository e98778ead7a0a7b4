/**
 * Shapes of the Workato API (see ../shared/seeds and ../shared/workato-api-facts.md)
 * and the client interface every command uses. src/api/client.ts implements it
 * over HTTP; tests may implement it in memory.
 */
import type { CustomerRef } from '../customer-ref.js';

/** Rate-limit buckets: 60 requests per minute each, per admin workspace. */
export type Bucket = 'profiles' | 'embedded';
export const BUCKETS: readonly Bucket[] = ['profiles', 'embedded'];

/** A custom OAuth profile as the API returns it. Secrets are never returned. */
export interface LiveProfile {
  id: number;
  user_id?: number;
  name: string;
  provider: string;
  data: { client_id: string };
  shared_accounts_count: number;
  oem_customers_count: number;
  created_at: string;
  updated_at: string;
}

/** Body of create and update (PUT takes the full body). */
export interface ProfileInput {
  name: string;
  provider: string;
  data: { client_id: string; client_secret: string; token?: string };
}

/** A customer (managed user) as the API returns it; only the fields we use are typed. */
export interface Customer {
  id: number;
  external_id: string | null;
  name: string;
  [key: string]: unknown;
}

export interface RequestCounts {
  /** Requests sent, per bucket, retries included. */
  requests: Record<Bucket, number>;
  /** Of those, how many were retries. */
  retries: Record<Bucket, number>;
}

export interface WorkatoClient {
  /** The base URL, e.g. https://www.workato.com (no trailing slash). */
  readonly baseUrl: string;
  /** All pages of GET /api/custom_oauth_profiles. */
  listProfiles(): Promise<LiveProfile[]>;
  getProfile(id: number): Promise<LiveProfile>;
  /**
   * POST /api/custom_oauth_profiles. Not idempotent: after an ambiguous failure
   * (5xx, timeout, reset) the client lists profiles and adopts one with the same
   * name and provider before any retry, so a duplicate is never created.
   */
  createProfile(input: ProfileInput): Promise<LiveProfile>;
  updateProfile(id: number, input: ProfileInput): Promise<LiveProfile>;
  deleteProfile(id: number): Promise<void>;
  /** A repeated assign answered as "already assigned" counts as success. */
  assignProfile(customer: CustomerRef, profileId: number): Promise<void>;
  /**
   * An unassign answered as "not assigned" counts as success. A refusal because
   * the profile is in use (no force) throws ApiError with `inUse === true`.
   */
  unassignProfile(customer: CustomerRef, profileId: number, options: { force: boolean }): Promise<void>;
  getCustomer(customer: CustomerRef): Promise<Customer>;
  /**
   * GET /api/managed_users, page by page. `onPage` may return false to stop early
   * (the caller found what it looked for); the pages read so far are returned.
   * `fromPage` (1-based) starts the listing there instead of at the first page.
   */
  listCustomers(
    onPage?: (page: Customer[]) => boolean | undefined,
    options?: { fromPage?: number },
  ): Promise<Customer[]>;
  /** What this client has sent so far. */
  counts(): RequestCounts;
  /** The pacing limit per bucket, requests per minute. */
  readonly ratePerMinute: number;
  /** Frees sockets; the client is unusable afterwards. */
  close(): Promise<void>;
}
