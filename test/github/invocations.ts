/**
 * Checks a `workato-oauth` command line against the CLI's own option table (the
 * commander program buildProgram makes), so an example workflow cannot use a
 * command, a flag or a format value that does not exist.
 */
import type { Command, Option } from 'commander';
import { buildProgram } from '../../src/program.js';

export function cliProgram(): Command {
  return buildProgram(() => {});
}

function findOption(command: Command, flag: string): Option | undefined {
  for (let c: Command | null = command; c; c = c.parent) {
    const found = c.options.find((o) => o.long === flag || o.short === flag);
    if (found) return found;
  }
  return undefined;
}

/** The problems with `argv` (the words after `workato-oauth`); none when the CLI accepts it. */
export function checkInvocation(program: Command, argv: readonly string[]): string[] {
  const problems: string[] = [];
  let command: Command = program;
  let i = 0;
  // Descend through command words: `state rm` is two.
  while (command.commands.length > 0) {
    const word = argv[i];
    // Global flags may come before the command (`workato-oauth -q plan`); none takes a value.
    if (word?.startsWith('-') && findOption(command, word)) {
      i += 1;
      continue;
    }
    const next = command.commands.find((c) => c.name() === word);
    if (!next) {
      problems.push(`unknown command '${word ?? ''}' (after '${command.name()}')`);
      return problems;
    }
    command = next;
    i += 1;
  }
  const positionals: string[] = [];
  for (; i < argv.length; i++) {
    const word = argv[i]!;
    if (!word.startsWith('-') || word === '-') {
      positionals.push(word);
      continue;
    }
    const [flag, inline] = word.includes('=')
      ? [word.slice(0, word.indexOf('=')), word.slice(word.indexOf('=') + 1)]
      : [word, undefined];
    const option = findOption(command, flag!);
    if (!option) {
      problems.push(`'${command.name()}' has no option ${flag}`);
      continue;
    }
    if (!option.required && !option.optional) continue;
    const value = inline ?? argv[++i];
    if (value === undefined && option.required) problems.push(`${flag} needs a value`);
    if (value !== undefined && option.argChoices && !option.argChoices.includes(value)) {
      problems.push(`${flag} ${value}: expected one of ${option.argChoices.join(', ')}`);
    }
  }
  const args = command.registeredArguments;
  const variadic = args.some((a) => a.variadic);
  if (!variadic && positionals.length > args.length) {
    problems.push(`'${command.name()}' takes ${args.length} argument(s), given ${positionals.join(' ')}`);
  }
  const needed = args.filter((a) => a.required).length;
  if (positionals.length < needed) problems.push(`'${command.name()}' needs ${needed} argument(s)`);
  return problems;
}
