"""The WTForms rule builder for tier schemes (routes on the tiers blueprint)."""
