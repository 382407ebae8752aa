/** The vector selectors of an expression, for checks that ask which series a query reads. */
import type { Expr, VectorSelector } from './ast.js';

/** Every vector selector of `expr` (including those inside range selectors and subqueries), in source order. */
export function vectorSelectors(expr: Expr): VectorSelector[] {
  const out: VectorSelector[] = [];
  const visit = (e: Expr): void => {
    switch (e.type) {
      case 'VectorSelector':
        out.push(e);
        return;
      case 'MatrixSelector':
        out.push(e.vectorSelector);
        return;
      case 'SubqueryExpr':
      case 'ParenExpr':
      case 'UnaryExpr':
        visit(e.expr);
        return;
      case 'AggregateExpr':
        if (e.param) visit(e.param);
        visit(e.expr);
        return;
      case 'BinaryExpr':
        visit(e.lhs);
        visit(e.rhs);
        return;
      case 'Call':
        e.args.forEach(visit);
        return;
      case 'NumberLiteral':
      case 'StringLiteral':
        return;
    }
  };
  visit(expr);
  return out;
}

/** The metric name a selector pins with `name{...}` or `{__name__="name"}`; undefined for regexes or none. */
export function selectorMetricName(sel: VectorSelector): string | undefined {
  if (sel.name !== undefined) return sel.name;
  return sel.matchers.find((m) => m.name === '__name__' && m.type === '=')?.value;
}
