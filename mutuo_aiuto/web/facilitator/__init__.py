"""The facilitator blueprint: proposals, confirmations, pairing by hand, matching weights."""
