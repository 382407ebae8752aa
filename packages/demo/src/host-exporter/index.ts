/** The host exporter: the machine's CPU, memory, disk and network as the catalog's node_* series. */
export { HostExporter, type HostExporterOptions } from './host-exporter.js';
export { HOST_METRICS, hostSamples, type HostMetricName, type HostSample, type HostSamples } from './host-metrics.js';
