"""From the outside world to what one run does: the command line's TARGET, the configuration
layers merged and checked, the checks made before Qt starts, the QApplication."""
