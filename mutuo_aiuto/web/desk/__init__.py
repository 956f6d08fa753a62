"""The Hub's front desk: families registered in person, and what the Hub does for them."""
