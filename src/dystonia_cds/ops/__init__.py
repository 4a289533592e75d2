"""Operating the HTTP service in production: server limits (`protocol`), database faults as
503 (`faults`), health and readiness (`health`), Prometheus metrics (`metrics`) and logging
without patient data (`logs`). An adapter package: the core never imports it."""
