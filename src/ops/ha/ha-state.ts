/**
 * HA role of this instance and the state around it. Only ACTIVE may trade;
 * STANDBY is healthy but waiting for the lock; UNKNOWN is the state before the
 * first lock attempt (and the permanent state when HA is off).
 */

export const HaRole = {
  ACTIVE: "active",
  STANDBY: "standby",
  UNKNOWN: "unknown",
} as const;
export type HaRole = (typeof HaRole)[keyof typeof HaRole];

export const ALL_HA_ROLES: readonly HaRole[] = [HaRole.ACTIVE, HaRole.STANDBY, HaRole.UNKNOWN];

export interface HaState {
  readonly role: HaRole;
  readonly instanceId: string;
  /** Id of the lock holder when known (ourselves when ACTIVE). */
  readonly lockHolder: string | null;
  /** Epoch ms of the last lock attempt (0 before the first). */
  readonly lastLockAttemptMs: number;
  /** Consecutive failed lock attempts (Redis errors). */
  readonly lockFailures: number;
  /** Fencing epoch of this instance's current or last lease (0: never held). */
  readonly epoch: number;
}

export type RoleListener = (role: HaRole, previous: HaRole) => void;

/**
 * Holds the HA state of one instance. Updates are partial; role listeners run
 * synchronously, once per actual role change, in subscription order.
 */
export class HaStateHolder {
  private state: HaState;
  private readonly listeners: RoleListener[] = [];

  constructor(instanceId = "") {
    this.state = {
      role: HaRole.UNKNOWN,
      instanceId,
      lockHolder: null,
      lastLockAttemptMs: 0,
      lockFailures: 0,
      epoch: 0,
    };
  }

  get(): HaState {
    return this.state;
  }

  get role(): HaRole {
    return this.state.role;
  }

  /** True only when ACTIVE: the one condition under which trading may happen. */
  isReady(): boolean {
    return this.state.role === HaRole.ACTIVE;
  }

  update(patch: Partial<HaState>): void {
    const previous = this.state.role;
    this.state = { ...this.state, ...patch };
    if (this.state.role !== previous) {
      for (const l of [...this.listeners]) l(this.state.role, previous);
    }
  }

  /** Subscribe to role changes; returns the unsubscribe function. */
  onRoleChange(listener: RoleListener): () => void {
    this.listeners.push(listener);
    return () => {
      const i = this.listeners.indexOf(listener);
      if (i >= 0) this.listeners.splice(i, 1);
    };
  }
}
