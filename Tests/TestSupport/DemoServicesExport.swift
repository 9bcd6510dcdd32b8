// The stand-in services (Elasticsearch stand-in, recording HTTP server) live
// in SluiceDemoServices (tools/demo-services) so the demo's sluice-demo-services
// runs them too; tests get them in process with TestSupport.
@_exported import SluiceDemoServices
