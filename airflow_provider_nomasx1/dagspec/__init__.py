"""dagspec"""
