"""Background workers: the SLA sweeper, the outbox sender and housekeeping.

`tierdesk.workers.run.start_background` runs them as threads inside `tierdesk serve`;
`run_forever` runs them in a separate `tierdesk worker` process. Each loop calls one service
(`tierdesk.services.sweep.sweep`, `tierdesk.services.outbox.deliver`,
`tierdesk.services.housekeeping.purge`), which are safe to run in any number of workers at once.
"""
