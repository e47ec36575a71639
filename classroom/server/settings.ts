/** What a class is: its name and size, its secrets, and how its dashboard judges learners. */
export interface ClassSettings {
  readonly name: string;
  readonly learners: number;
  readonly joinCode: string;
  readonly instructorToken: string;
  /** Opens `/machine/class-image` (the class image for another machine); without it that address is closed. */
  readonly machineToken?: string;
  /** The dashboard marks a learner stuck after this long without progress (default DEFAULT_STUCK_AFTER_MINUTES). */
  readonly stuckAfterMs?: number;
}
