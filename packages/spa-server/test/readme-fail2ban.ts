/** The README's fail2ban filter applied as fail2ban applies it, so tests check the documented filter itself. @module */
import { readFileSync } from 'node:fs';

/** The address fail2ban would ban for one log line, or undefined when the filter does not match. */
export type Fail2banMatcher = (line: string) => string | undefined;

export function readmeFail2banFilter(): Fail2banMatcher {
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
  const failregex = /^failregex = (.*)$/m.exec(readme)?.[1];
  const datepattern = /^datepattern = (.*)$/m.exec(readme)?.[1];
  if (failregex === undefined || datepattern === undefined) {
    throw new Error('README: no failregex/datepattern line in the fail2ban section');
  }
  // As fail2ban does: find the date with datepattern, cut it out, match failregex on the rest.
  const dateRe = new RegExp(
    datepattern
      .replaceAll('%%Y', '\\d{4}')
      .replaceAll(/%%[mdHMS]/g, '\\d{2}')
      .replaceAll('%%f', '\\d+'),
  );
  const failRe = new RegExp(failregex.replace('<ADDR>', '(?<addr>[0-9a-fA-F.:]+)'));
  return (line) => {
    const date = dateRe.exec(line);
    if (!date) return undefined;
    return failRe.exec(line.slice(date[0].length))?.groups?.addr;
  };
}
