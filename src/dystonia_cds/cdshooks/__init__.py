"""cdshooks"""
