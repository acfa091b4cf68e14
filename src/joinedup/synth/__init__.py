"""The synthetic city: a calibrated, invented population and its care, written as a lake."""
