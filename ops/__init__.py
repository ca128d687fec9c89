"""What every long-running process shares for its operator: health endpoints and log set-up."""
