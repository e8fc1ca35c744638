"""The leaf layer every room uses: the one Qt import point, fail-safe callbacks, the event bus,
screens, signals, logging, exit errors and X11. It imports nothing else of the project."""
