"""On-device proctoring: the detectors built for a run, and the devices setup() asks for."""
