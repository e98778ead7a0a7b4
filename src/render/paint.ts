/** ANSI colours, as Terraform uses them. The caller decides (TTY, NO_COLOR, --no-color). */
type Style = 'green' | 'yellow' | 'red' | 'cyan' | 'bold';
export type Paint = (style: Style, text: string) => string;

const ANSI: Record<Style, string> = {
  green: '\u001b[32m',
  yellow: '\u001b[33m',
  red: '\u001b[31m',
  cyan: '\u001b[36m',
  bold: '\u001b[1m',
};
const RESET = '\u001b[0m';

export function makePainter(color: boolean): Paint {
  return color ? (style, text) => `${ANSI[style]}${text}${RESET}` : (_style, text) => text;
}
