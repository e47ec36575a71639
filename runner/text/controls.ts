/**
 * Text that comes from a container or a command's output is untrusted: it may carry terminal control sequences
 * that set the window title, write the clipboard (OSC 52), switch screens, turn on mouse reporting or recolour
 * everything after it. Before any of it reaches a screen, a report or a file, every control character is made
 * visible in caret notation (ESC becomes `^[`, BEL `^G`, DEL `^?`; 8-bit C1 controls become `<U+009B>`-style
 * text), so a sequence shows as the characters it is made of and does nothing. Newlines and tabs stay; a
 * carriage return stays for `settleLine`, which shows a line as a terminal would end up showing it.
 */

// C0 controls but tab, newline and carriage return; DEL; C1 controls.
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\u0080-\u009f]/g;

function visible(ch: string): string {
  const code = ch.charCodeAt(0);
  if (code < 0x20) return `^${String.fromCharCode(code + 0x40)}`;
  if (code === 0x7f) return '^?';
  return `<U+${code.toString(16).toUpperCase().padStart(4, '0')}>`;
}

/** Every control character made visible; text without any is returned as it is. */
export function escapeControls(text: string): string {
  return text.replace(CONTROL, visible);
}

/** The same, with carriage returns made visible too: for reports, where a CR could hide what came before it. */
export function escapeAllControls(text: string): string {
  return escapeControls(text).replace(/\r(?!\n)/g, '^M');
}

/** Applies carriage returns inside one line: what is left is what a terminal would end up showing. */
export function settleLine(line: string): string {
  if (!line.includes('\r')) return line;
  let shown = '';
  for (const part of line.split('\r')) shown = part + shown.slice(part.length);
  return shown;
}

/** Whether text holds anything a terminal would act on (what tests assert never reaches a screen). */
export function hasControls(text: string): boolean {
  return /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\u0080-\u009f]/.test(text);
}
