export { createHttpServer, type HttpServerOptions } from './server.js';
export { BadRequestError, errorStatus } from './errors.js';
