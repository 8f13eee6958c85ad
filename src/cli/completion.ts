import type { Command } from 'commander';
import { CliError, ExitCode } from './exit-codes.ts';

/**
 * Shell completion scripts generated from the command tree itself (commander has none of its
 * own), so a command added to the tree completes without anyone editing the scripts.
 */
interface Node {
  /** The words leading to this command after the program's name, joined by spaces ('' for the program). */
  path: string;
  commands: { name: string; description: string }[];
  options: { flag: string; description: string }[];
}

function nodesOf(command: Command, path = ''): Node[] {
  const visible = command.commands.filter((c) => !(c as unknown as { _hidden?: boolean })._hidden);
  const node: Node = {
    path,
    commands: visible.map((c) => ({ name: c.name(), description: c.description() })),
    options: [
      ...command.options.filter((o) => !o.hidden).flatMap((o) => [o.long, o.short].filter((f): f is string => !!f).map((flag) => ({ flag, description: o.description }))),
      { flag: '--help', description: 'show help' },
    ],
  };
  return [node, ...visible.flatMap((c) => nodesOf(c, path ? `${path} ${c.name()}` : c.name()))];
}

const single = (text: string) => `'${text.replace(/'/g, `'\\''`)}'`;
const oneLine = (text: string) => text.replace(/\s+/g, ' ').slice(0, 100);

function bash(program: Command, nodes: Node[]): string {
  const name = program.name();
  const fn = `_${name.replace(/[^A-Za-z0-9_]/g, '_')}`;
  const cases = (pick: (n: Node) => string[]) => nodes.map((n) => `    ${single(n.path)}) echo ${single(pick(n).join(' '))} ;;`).join('\n');
  return `# bash completion for ${name}: source it, or save it as /etc/bash_completion.d/${name}
${fn}_commands() {
  case "$1" in
${cases((n) => n.commands.map((c) => c.name))}
  esac
}
${fn}_options() {
  case "$1" in
${cases((n) => n.options.map((o) => o.flag))}
  esac
}
${fn}() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" path="" word i
  for ((i = 1; i < COMP_CWORD; i++)); do
    word="\${COMP_WORDS[i]}"
    [[ "$word" == -* ]] && continue
    case " $(${fn}_commands "$path") " in *" $word "*) path="\${path:+$path }$word" ;; esac
  done
  if [[ "$cur" == -* ]]; then
    COMPREPLY=($(compgen -W "$(${fn}_options "$path")" -- "$cur"))
  else
    COMPREPLY=($(compgen -W "$(${fn}_commands "$path")" -- "$cur"))
  fi
}
complete -o default -F ${fn} ${name}
`;
}

function zsh(program: Command, nodes: Node[]): string {
  const name = program.name();
  const fn = `_${name.replace(/[^A-Za-z0-9_]/g, '_')}`;
  const escape = (text: string) => text.replace(/:/g, '\\:');
  const entries = (items: { name: string; description: string }[]) => items.map((i) => single(`${escape(i.name)}:${oneLine(i.description)}`)).join(' ');
  const cases = (pick: (n: Node) => { name: string; description: string }[]) => nodes.map((n) => `    ${single(n.path)}) items=(${entries(pick(n))}) ;;`).join('\n');
  return `#compdef ${name}
# zsh completion for ${name}: save it as _${name} in a folder of $fpath, or source it after compinit
${fn}_commands() {
  case "$1" in
${cases((n) => n.commands)}
    *) items=() ;;
  esac
}
${fn}_options() {
  case "$1" in
${cases((n) => n.options.map((o) => ({ name: o.flag, description: o.description })))}
    *) items=() ;;
  esac
}
${fn}() {
  local path="" word i
  local -a items names
  for ((i = 2; i < CURRENT; i++)); do
    word=\${words[i]}
    [[ $word == -* ]] && continue
    ${fn}_commands "$path"
    names=(\${items%%:*})
    (( \${names[(Ie)$word]} )) && path="\${path:+$path }$word"
  done
  if [[ \${words[CURRENT]} == -* ]]; then
    ${fn}_options "$path"
    _describe -t options option items
  else
    ${fn}_commands "$path"
    (( \${#items} )) && _describe -t commands command items || _files
  fi
}
compdef ${fn} ${name}
`;
}

function fish(program: Command, nodes: Node[]): string {
  const name = program.name();
  const lines = [`# fish completion for ${name}: save it as ~/.config/fish/completions/${name}.fish`, `complete -c ${name} -f`];
  for (const node of nodes) {
    const words = node.path ? node.path.split(' ') : [];
    const seen = words.map((w) => `__fish_seen_subcommand_from ${w}`);
    const children = node.commands.map((c) => c.name);
    const atNode = [...(words.length === 0 ? ['__fish_use_subcommand'] : seen), ...(words.length > 0 && children.length > 0 ? [`not __fish_seen_subcommand_from ${children.join(' ')}`] : [])];
    const condition = single(atNode.join('; and '));
    for (const c of node.commands) lines.push(`complete -c ${name} -n ${condition} -a ${single(c.name)} -d ${single(oneLine(c.description))}`);
    const optionCondition = single(words.length === 0 ? '__fish_use_subcommand' : seen.join('; and '));
    for (const o of node.options) {
      const flag = o.flag.startsWith('--') ? `-l ${o.flag.slice(2)}` : `-s ${o.flag.slice(1)}`;
      lines.push(`complete -c ${name} -n ${optionCondition} ${flag} -d ${single(oneLine(o.description))}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

export const SHELLS = ['bash', 'zsh', 'fish'] as const;

/** `modelyard completion bash|zsh|fish`: the script on standard output. */
export function completionCommand(program: Command, shell: string): void {
  const nodes = nodesOf(program);
  if (shell === 'bash') process.stdout.write(bash(program, nodes));
  else if (shell === 'zsh') process.stdout.write(zsh(program, nodes));
  else if (shell === 'fish') process.stdout.write(fish(program, nodes));
  else throw new CliError(`no completion for "${shell}": choose ${SHELLS.join(', ')}`, ExitCode.usage);
}
