export type * from './ast.js';
export type * from './value.js';
export { Matcher, type MatchType } from './matcher.js';
export { Engine, type EngineOptions, type QueryOptions } from './engine.js';
