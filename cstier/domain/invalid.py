"""A definition a manager wrote that breaks a rule, naming the field where."""


class FieldInvalid(ValueError):
    """A definition breaks a rule; `field` names where, `message` says what to change."""

    def __init__(self, field: str, message: str):
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message
