// A short tone on a new alert, made in the browser (no file to fetch); off until someone switches it on.
export class Beeper {
  private on: boolean;
  private context: AudioContext | null = null;

  constructor(private readonly button: HTMLButtonElement, storageName: string) {
    this.on = localStorage.getItem(storageName) === "on";
    this.show();
    button.addEventListener("click", () => {
      this.on = !this.on;
      localStorage.setItem(storageName, this.on ? "on" : "off");
      this.show();
      if (this.on) this.beep(false);
    });
  }

  beep(urgent: boolean): void {
    if (!this.on) return;
    try {
      this.context ??= new AudioContext();
      const ctx = this.context;
      const gain = ctx.createGain();
      gain.connect(ctx.destination);
      gain.gain.setValueAtTime(0.25, ctx.currentTime);
      for (const [i, f] of (urgent ? [880, 660, 880] : [660]).entries()) {
        const o = ctx.createOscillator();
        o.frequency.value = f;
        o.connect(gain);
        o.start(ctx.currentTime + i * 0.25);
        o.stop(ctx.currentTime + i * 0.25 + 0.2);
      }
    } catch {
      // No audio output: the flash is enough.
    }
  }

  private show(): void {
    this.button.setAttribute("aria-pressed", String(this.on));
    this.button.textContent = this.on ? "Sound on" : "Sound off";
  }
}
