"""Pipeline automation: rules that move, qualify and assign leads by themselves."""
