/**
 * The template module's one error class. Messages are Go's, word for word, because users compare
 * them with what Prometheus and Alertmanager print:
 * `template: x:1: function "foo" not defined` (parse, with the line),
 * `template: x:1:12: executing "x" at <.Foo>: can't evaluate field Foo in type ...` (execution,
 * with line and byte column).
 */

export type TemplateErrorCode =
  /** The text does not parse (Go's parse errors). */
  | 'WK_TEMPLATE_PARSE'
  /** Execution failed (Go's ExecError): a function returned an error, a field is missing, ... */
  | 'WK_TEMPLATE_EXEC'
  /** Execution hit one of our limits (output size, steps, template depth, query count). */
  | 'WK_TEMPLATE_LIMIT';

export class TemplateError extends Error {
  readonly code: TemplateErrorCode;
  /** The template being parsed or executed. */
  readonly templateName: string;
  /** 1-based line in the template text, when Go's message names one. */
  readonly line: number | undefined;
  /** 0-based byte column in the line (Go's convention), for execution errors. */
  readonly column: number | undefined;

  constructor(
    code: TemplateErrorCode,
    message: string,
    details: { templateName: string; line?: number; column?: number; cause?: unknown },
  ) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'TemplateError';
    this.code = code;
    this.templateName = details.templateName;
    this.line = details.line;
    this.column = details.column;
  }
}
