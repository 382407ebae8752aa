/**
 * The parse tree of a template, as Go's text/template/parse builds it, and its String() forms
 * (error messages quote them: `executing "x" at <.Labels.foo>`).
 */
import { quote } from './strconv.js';

/** Where nodes come from: the template being parsed (Go's Tree.ParseName and text). */
export interface Source {
  readonly parseName: string;
  readonly text: string;
}

interface Base {
  readonly pos: number;
  readonly src: Source;
}

interface TextNode extends Base {
  readonly type: 'text';
  readonly text: string;
}
interface CommentNode extends Base {
  readonly type: 'comment';
  readonly text: string;
}
interface ActionNode extends Base {
  readonly type: 'action';
  readonly line: number;
  readonly pipe: PipeNode;
}
export interface PipeNode extends Base {
  readonly type: 'pipe';
  readonly line: number;
  isAssign: boolean;
  readonly decl: VariableNode[];
  readonly cmds: CommandNode[];
}
export interface CommandNode extends Base {
  readonly type: 'command';
  readonly args: ArgNode[];
}
export interface IdentifierNode extends Base {
  readonly type: 'identifier';
  readonly ident: string;
}
export interface VariableNode extends Base {
  readonly type: 'variable';
  readonly ident: string[];
}
interface DotNode extends Base {
  readonly type: 'dot';
}
interface NilNode extends Base {
  readonly type: 'nil';
}
export interface FieldNode extends Base {
  readonly type: 'field';
  readonly ident: string[];
}
export interface ChainNode extends Base {
  readonly type: 'chain';
  readonly node: ArgNode;
  readonly field: string[];
}
interface BoolNode extends Base {
  readonly type: 'bool';
  readonly value: boolean;
}
export interface NumberNode extends Base {
  readonly type: 'number';
  readonly text: string;
  readonly isInt: boolean;
  readonly isUint: boolean;
  readonly isFloat: boolean;
  readonly isComplex: boolean;
  readonly int64: bigint;
  readonly uint64: bigint;
  readonly float64: number;
  /** Real and imaginary parts of a complex constant. */
  readonly complex: readonly [number, number];
}
interface StringNode extends Base {
  readonly type: 'string';
  readonly quoted: string;
  readonly text: string;
}
export interface BranchNode extends Base {
  readonly type: 'if' | 'range' | 'with';
  readonly line: number;
  readonly pipe: PipeNode;
  readonly list: ListNode;
  readonly elseList: ListNode | undefined;
}
export interface ListNode extends Base {
  readonly type: 'list';
  readonly nodes: Node[];
}
export interface TemplateNode extends Base {
  readonly type: 'template';
  readonly line: number;
  readonly name: string;
  readonly pipe: PipeNode | undefined;
}
interface BreakNode extends Base {
  readonly type: 'break' | 'continue';
  readonly line: number;
}
/** `{{end}}` and `{{else}}`: only seen by the parser. */
export interface DelimNode extends Base {
  readonly type: 'end' | 'else';
  readonly line: number;
}

export type ArgNode =
  | IdentifierNode
  | VariableNode
  | DotNode
  | NilNode
  | FieldNode
  | ChainNode
  | BoolNode
  | NumberNode
  | StringNode
  | PipeNode;

export type Node =
  | TextNode
  | CommentNode
  | ActionNode
  | BranchNode
  | ListNode
  | TemplateNode
  | BreakNode
  | DelimNode
  | CommandNode
  | ArgNode;

function writePipe(p: PipeNode, out: string[]): void {
  if (p.decl.length > 0) {
    p.decl.forEach((v, i) => {
      if (i > 0) out.push(', ');
      out.push(v.ident.join('.'));
    });
    out.push(' := ');
  }
  p.cmds.forEach((c, i) => {
    if (i > 0) out.push(' | ');
    writeNode(c, out);
  });
}

function writeNode(n: Node, out: string[]): void {
  switch (n.type) {
    case 'text':
      out.push(n.text);
      return;
    case 'comment':
      out.push('{{', n.text, '}}');
      return;
    case 'action':
      out.push('{{');
      writePipe(n.pipe, out);
      out.push('}}');
      return;
    case 'pipe':
      writePipe(n, out);
      return;
    case 'command':
      n.args.forEach((arg, i) => {
        if (i > 0) out.push(' ');
        if (arg.type === 'pipe') {
          out.push('(');
          writePipe(arg, out);
          out.push(')');
        } else writeNode(arg, out);
      });
      return;
    case 'identifier':
      out.push(n.ident);
      return;
    case 'variable':
      out.push(n.ident.join('.'));
      return;
    case 'dot':
      out.push('.');
      return;
    case 'nil':
      out.push('nil');
      return;
    case 'field':
      for (const id of n.ident) out.push('.', id);
      return;
    case 'chain':
      if (n.node.type === 'pipe') {
        out.push('(');
        writePipe(n.node, out);
        out.push(')');
      } else writeNode(n.node, out);
      for (const f of n.field) out.push('.', f);
      return;
    case 'bool':
      out.push(n.value ? 'true' : 'false');
      return;
    case 'number':
      out.push(n.text);
      return;
    case 'string':
      out.push(n.quoted);
      return;
    case 'if':
    case 'range':
    case 'with':
      out.push('{{', n.type, ' ');
      writePipe(n.pipe, out);
      out.push('}}');
      writeNode(n.list, out);
      if (n.elseList) {
        out.push('{{else}}');
        writeNode(n.elseList, out);
      }
      out.push('{{end}}');
      return;
    case 'list':
      for (const c of n.nodes) writeNode(c, out);
      return;
    case 'template':
      out.push('{{template ', quote(n.name));
      if (n.pipe) {
        out.push(' ');
        writePipe(n.pipe, out);
      }
      out.push('}}');
      return;
    case 'break':
      out.push('{{break}}');
      return;
    case 'continue':
      out.push('{{continue}}');
      return;
    case 'end':
      out.push('{{end}}');
      return;
    case 'else':
      out.push('{{else}}');
      return;
  }
}

/** Go's Node.String(). */
export function nodeString(n: Node): string {
  const out: string[] = [];
  writeNode(n, out);
  return out.join('');
}

/** Go's parse.IsEmptyTree: whether a tree holds only space and comments. */
export function isEmptyTree(n: Node | undefined): boolean {
  if (n === undefined) return true;
  switch (n.type) {
    case 'comment':
      return true;
    case 'list':
      return n.nodes.every(isEmptyTree);
    case 'text':
      return n.text.trim().length === 0;
    default:
      return false;
  }
}
