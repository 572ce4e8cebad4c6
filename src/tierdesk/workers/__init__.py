"""Background workers: the SLA sweeper and the outbox sender.

`tierdesk.workers.run.start_background` runs both as threads inside `tierdesk serve`;
`run_forever` runs them in a separate `tierdesk worker` process. Each loop calls one service
(`tierdesk.services.sweep.sweep`, `tierdesk.services.outbox.deliver`), which are safe to run in
any number of workers at once.
"""
