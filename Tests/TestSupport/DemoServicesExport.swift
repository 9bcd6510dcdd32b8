// The stand-in services (Elasticsearch stand-in, recording HTTP server) live
// in SluiceDemoServices so the demo can run them too; tests get them with TestSupport.
@_exported import SluiceDemoServices
