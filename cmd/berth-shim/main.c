/* stub: berth-shim (issue 5) */
int main(void)
{
	return 1;
}
