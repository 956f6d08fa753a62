"""The figures engine of issue 14: periods, suppression, network, indicators, exports."""
