/* postdesk: the admin command. main() only hands over to the cli module. */
#include "config.h"
#include "postdesk/cli.h"

int main(int argc, char **argv)
{
	return cli_main(argc, argv);
}
