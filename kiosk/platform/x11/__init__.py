"""X11 through libxcb: the one binding, one private connection per kiosk, the private Xvfb."""
