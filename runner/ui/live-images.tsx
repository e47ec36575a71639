import { render } from 'ink';
import { initialImagesState, reduceImages, type ImagesState } from '../images/progress.js';
import type { ImageEvent } from '../images/ensure.js';
import { ImagesProgress } from './ImagesProgress.js';

const FRAME_MS = 80;

/** Renders image builds live in a terminal; `finish` draws the last frame and lets go of the screen. */
export function liveImages(names: readonly string[], stdout: NodeJS.WriteStream = process.stdout) {
  let state: ImagesState = initialImagesState(names);
  const width = () => stdout.columns || 100;
  const app = render(<ImagesProgress state={state} width={width()} />, { stdout, patchConsole: false, exitOnCtrlC: false });
  let timer: NodeJS.Timeout | undefined;
  const draw = () => {
    timer = undefined;
    app.rerender(<ImagesProgress state={state} width={width()} />);
  };
  return {
    onEvent(e: ImageEvent): void {
      state = reduceImages(state, e);
      timer ??= setTimeout(draw, FRAME_MS);
    },
    finish(): void {
      if (timer) clearTimeout(timer);
      draw();
      app.unmount();
    },
  };
}
