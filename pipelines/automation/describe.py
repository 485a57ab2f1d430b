def describe_rule(rule) -> str:
    return rule.name
