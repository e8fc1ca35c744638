"""The lockdown, done: everything that acts on the window, the X server, the keyboard, the
clipboard, the screens and the web engine's hooks, as the policies decide."""
