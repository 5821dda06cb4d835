/**
 * User lockout (Vault 1.13+, vault/login_mfa… core user lockout): after `threshold` failed logins for the same
 * alias (AppRole: the role_id; userpass: the username) on a mount, logins for it are refused with "permission
 * denied" until `duration` has passed; a success or `counter_reset` of quiet resets the count. Defaults 5 / 15m /
 * 15m, tunable per mount with sys/auth/:path/tune user_lockout_config.
 */

export interface LockoutConfig {
  lockout_threshold: number;
  lockout_duration: number;
  lockout_counter_reset: number;
  lockout_disable: boolean;
}

// Docs (user lockout): the defaults.
export const DEFAULT_LOCKOUT: LockoutConfig = { lockout_threshold: 5, lockout_duration: 900, lockout_counter_reset: 900, lockout_disable: false };

export class UserLockout {
  private readonly failures = new Map<string, { count: number; last: number }>();

  constructor(private readonly now: () => Date, public config: LockoutConfig = { ...DEFAULT_LOCKOUT }) {}

  isLocked(alias: string): boolean {
    if (this.config.lockout_disable) return false;
    const f = this.failures.get(alias);
    if (!f) return false;
    const since = this.seconds() - f.last;
    if (f.count >= this.config.lockout_threshold) {
      if (since < this.config.lockout_duration) return true;
      this.failures.delete(alias);
      return false;
    }
    if (since >= this.config.lockout_counter_reset) this.failures.delete(alias);
    return false;
  }

  failed(alias: string): void {
    const f = this.failures.get(alias) ?? { count: 0, last: 0 };
    this.failures.set(alias, { count: f.count + 1, last: this.seconds() });
  }

  succeeded(alias: string): void {
    this.failures.delete(alias);
  }

  private seconds(): number {
    return Math.floor(this.now().getTime() / 1000);
  }
}
