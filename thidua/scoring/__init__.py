"""Every criterion evaluated against its plan and scored by the [scoring] rules; explanations."""
