export type * from './ast.js';
export type * from './value.js';
export { Matcher, type MatchType } from './matcher.js';
export { Engine, type EngineOptions, type QueryOptions } from './engine.js';
export { parseExpr, ParseError, type ParseOptions } from './parser.js';
export { formatExpr } from './printer.js';
export { FUNCTIONS, getFunction, type FunctionSignature } from './functions/signatures.js';
